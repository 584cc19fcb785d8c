"""library: the personal achievement library (个人业绩库) — typed entries that a person keeps all
year, their attachments (by reference to documents), and the unit's review of them."""
