"""What every domain uses: database types, permissions, Markdown, mail, errors, base forms."""
