"""The shapes of every request and response of the API and the device sockets (what OpenAPI shows). Built from
the domain's values by `server/render`; the core never sees these."""
