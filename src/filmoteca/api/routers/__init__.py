"""The API's routers, one per feature; `api.app.ROUTERS` lists the ones the app includes."""
