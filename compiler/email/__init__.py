"""Emails: the template sandbox, rendering, links and UTM, HTML and MIME."""
