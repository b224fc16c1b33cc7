"""The built-in law plugins of wams, one pluggy plugin per package.

``wmo`` is the carrier law (Wmo 2015, new paragraph 3a); ``jeugdwet``, ``participatiewet`` and
``wgs`` each adapt their mirror provision (*spiegelbepaling*) to the same lifecycle; ``aanpalend``
declares the eight adjacent domains, whose parties take part but never open a case (MvT §1.3,
§2.2). They are registered through the same plugin manager and entry points (group ``wams``) as
any third-party plugin.
"""
