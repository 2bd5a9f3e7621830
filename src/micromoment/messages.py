"""micromoment's own words in the team's language (MICROMOMENT_LANG, the locale): the standard
library's gettext over the catalogs shipped in `locale/` (`es.po`, `pt-BR.po`), read from their text."""

from __future__ import annotations

import ast
import gettext
import re
from functools import cache
from typing import Any

from micromoment.locations import language, language_tags, shipped_dir

_ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


class PoText(gettext.NullTranslations):
    """A catalog read from its .po text, so no compiled .mo file has to be built or kept."""

    def _parse(self, fp: Any) -> None:  # gettext hands over the file opened in binary
        def joined(block: str) -> str:
            return "".join(ast.literal_eval(line) for line in block.splitlines())

        self.strings = {
            joined(msgid): joined(msgstr) for msgid, msgstr in _ENTRY.findall(fp.read().decode("utf-8"))
        }

    def gettext(self, message: str) -> str:
        return self.strings.get(message) or message


@cache
def _catalog(lang: str) -> gettext.NullTranslations:
    for tag in language_tags(lang):
        path = shipped_dir("locale") / f"{tag}.po"
        if path.is_file():
            with path.open("rb") as po:
                return PoText(po)
    return gettext.NullTranslations()


def _(message: str) -> str:
    """`message` in the team's language, when its catalog has it; else as written."""
    return _catalog(language() or "").gettext(message)
