"""The "3 cùng" tracker for Lâm Bình: project package (settings, URLs, site-wide views)."""
