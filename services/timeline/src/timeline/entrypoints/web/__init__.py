"""The timeline's caseworker pages (Simplified Chinese, server-rendered, plain HTML forms)."""
