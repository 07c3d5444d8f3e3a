"""Importing an organisation's own company lists (CSV exports) into the market-data services.

`parsing`: a file -> rows and per-row errors (the entry point; re-exports the names below).
`layouts`: the export layouts, their detection from the header, the field -> column mapping.
`values`: one cell's value (funding, founding year, status, website, lists, places).
`dedupe`: rows of the same company merged (the identity rule of `contracts.IdentityIndex`,
which both market-data services apply too).
`jobs`: the `company_imports` rows: upload, preview, start, run (`execute`), cancel, list.
`deletion`: an organisation's imported companies deleted from both services with it.
No Reflex and no Celery here: the page state, the task and the CLI call these functions.
"""
