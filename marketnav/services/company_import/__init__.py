"""Importing an organisation's own company lists (CSV exports) into the market-data services.

`parsing`: layouts, detection, mapping, per-row errors, funding/year parsing, dedupe and merge.
`jobs`: the `company_imports` rows: upload, preview, start, run (`execute`), cancel, list.
`deletion`: an organisation's imported companies deleted from both services with it.
No Reflex and no Celery here: the page state, the task and the CLI call these functions.
"""
