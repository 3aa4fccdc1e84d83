"""The HTTP API: `app.create_app` builds it, `server.run` serves it (see `filmoteca serve`)."""
