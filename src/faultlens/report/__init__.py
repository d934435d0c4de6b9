"""`faultlens report`: the nightly batch. Every run explained, then one page for the floor."""
