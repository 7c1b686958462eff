"""The web faces of Löfte: the answer page first (see `web.factory.create_app`)."""
