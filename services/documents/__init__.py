"""documents: files in object storage (MinIO or any S3 endpoint) — uploads checked by content,
names, thumbnails, short-lived links — and the claims by which other services' records refer to
them (who may read them, which are locked). See docs/documents.md."""
