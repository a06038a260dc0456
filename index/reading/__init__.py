"""The loader's parts, one job each: finding and reading files (:mod:`files`), headlines
(:mod:`headlines`), dates (:mod:`dates`), text and Markdown with front matter (:mod:`text`), web
pages (:mod:`pages`) and JSON records (:mod:`records`). :mod:`index.loader` puts them together."""
