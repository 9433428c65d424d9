"""Articles on their way to publication: templates, the pipeline, review per section, reprint
permissions."""
