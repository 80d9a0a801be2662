"""Reports: HTML (and PDF when WeasyPrint is installed) with charts drawn as inline SVG."""
