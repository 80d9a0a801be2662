"""The web platform: server-rendered pages in English and Japanese (``/web``)."""
