"""`opensales sync`: copy a Freshsales account (or another opensales server) into a local
workspace through the source's public API, resumably and within its rate limit."""
