"""One page script per dashboard page; each only calls its page module's render()."""
