"""One module per report type, each with `async def run(ctx: RunContext)`."""
