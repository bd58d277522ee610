//! Each rule fires on a minimal edit of a small spec, with the class it should give.
