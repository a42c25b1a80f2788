"""The PDF layer: documents rendered from templates (letters, receipts, print batches) and the audit bundle.

Above services: rendering functions load a row by id, render, then call the service that records the result.
Services never import this package; they dispatch the render task by name (`services.dispatch`).
"""
