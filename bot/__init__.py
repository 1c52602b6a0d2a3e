"""Composition root: settings, wiring of engine, dispatcher and routers, middlewares, CLI."""
