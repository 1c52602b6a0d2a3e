"""Chat layer: one aiogram router per feature, built by ``setup()`` factories."""
