"""`faultlens check`: pre-flight a release (directory, tarball or listing) before it ships."""
