"""The reporting models: one SQL file per model, shipped as package data."""
