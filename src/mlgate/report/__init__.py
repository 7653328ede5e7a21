"""Renderers: data in, strings out. Nothing here prints or posts."""
