"""Content editors: the people staff appoint to run the article pipeline and the newsletters."""
