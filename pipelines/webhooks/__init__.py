"""`happyfox-sync webhooks`: a receiver that loads tickets from HappyFox webhooks at zero GETs.

Modules, one job each: :mod:`.verify` (HMAC-SHA1 signatures), :mod:`.payload` (the
ticket in a body, its version), :mod:`.queue` (the durable SQLite queue and dead
letters), :mod:`.app` (the Starlette app), :mod:`.loader` (batches into the warehouse
under the run lock), :mod:`.freshness` (newer than the warehouse?), :mod:`.rows` (the
sync's row code and table hints), :mod:`.settings`, :mod:`.serve` (uvicorn).
"""
