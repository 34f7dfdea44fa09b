"""
Arabic-script spelling folded to one form for search, so a reader's spelling finds a story.

Sorani Kurdish, Arabic and Persian share one script but not one keyboard: the same word
arrives with Arabic yeh or Persian yeh, Arabic kaf or keheh, with or without vowel marks,
stretched with tatweel, with Persian or Arabic-Indic digits. FOLDS is the one table of what
folds to what. Queries go through `fold()` here; stories go through the same table as SQL,
inside the database's search index triggers (`fold_sql()`, used by migration 0019), so
both sides agree on every database.

What stays apart on purpose: Sorani letters that are letters of their own, not spellings
of another (ە the vowel "e" next to ه "h", ێ "ê" next to ی "î/y", ۆ ڕ ڵ): folding them
would make distinct Sorani words equal (دێ "village" and دی "saw"). Apache Lucene's Sorani
normaliser keeps them apart too.

Changing FOLDS changes what the triggers must do: add a migration that installs the
triggers again (as 0019 does) and rebuilds the index, or stored stories keep the old forms.
"""

HARAKAT = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670"

FOLDS: dict[str, str] = {
    # Alef with hamza or madda, and wasla: readers type the bare alef (Arabic search habit).
    "\u0623": "\u0627",  # أ
    "\u0625": "\u0627",  # إ
    "\u0622": "\u0627",  # آ
    "\u0671": "\u0627",  # ٱ
    # Arabic yeh and alef maksura to the Persian/Sorani yeh ی (U+06CC): two of our three
    # Arabic-script languages write it, and Arabic keyboards type ي for it.
    "\u064a": "\u06cc",  # ي
    "\u0649": "\u06cc",  # ى
    # Arabic kaf to keheh ک (U+06A9), the Sorani and Persian letter.
    "\u0643": "\u06a9",  # ك
    # Heh: Sorani writes "h" as ھ (Kurdish Wikipedia's ھەولێر), others as ه; Arabic and
    # Persian readers type ه for teh marbuta ة and for Persian ۀ.
    "\u06be": "\u0647",  # ھ
    "\u0629": "\u0647",  # ة
    "\u06c0": "\u0647",  # ۀ
    "\u0624": "\u0648",  # ؤ
    # Digits: ٢٠٢٤ and ۲۰۲۴ find 2024.
    **{chr(0x0660 + n): str(n) for n in range(10)},
    **{chr(0x06F0 + n): str(n) for n in range(10)},
    # Zero-width non-joiner splits Persian and Sorani compounds (کتاب‌ها): a space, as both
    # engines' tokenizers already read it, so "کتاب" finds "کتاب‌ها" and a reader who types
    # a space instead of the joiner finds the word too.
    "\u200c": " ",
    # Removed: tatweel (a stretch, not a letter), harakat (vowel marks most text omits),
    # and direction marks pasted in with right-to-left text.
    "\u0640": "",
    **{mark: "" for mark in HARAKAT},
    "\u200d": "",  # zero-width joiner
    "\u200e": "",  # left-to-right mark
    "\u200f": "",  # right-to-left mark
    "\u061c": "",  # Arabic letter mark
}

_TABLE = str.maketrans(FOLDS)


def fold(text: str) -> str:
    """`text` with Arabic-script spelling variants folded to FOLDS' forms."""
    return text.translate(_TABLE)


def fold_sql(expression: str, *, vendor: str) -> str:
    """SQL folding the text of `expression` as fold() does, for 'sqlite' or 'postgresql'.

    No folded form is itself folded again (test_search_scripts holds this), so PostgreSQL's
    translate() and SQLite's replace() of one character after another give the same text.
    """
    mapped = {c: to for c, to in FOLDS.items() if to}
    # The characters of `old` past the end of `new` have no partner: they are removed.
    old = "".join(mapped) + "".join(c for c, to in FOLDS.items() if not to)
    new = "".join(mapped.values())
    if vendor == "postgresql":
        return f"translate({expression}, {_postgres_literal(old)}, {_postgres_literal(new)})"
    # SQLite has no translate(): a replace() per character, one after the other in a
    # recursive query (sixty nested calls overflow its parser); substr() past the end of
    # `new` is '', as translate() removes. Each replace() reads the whole text, about 2 ms
    # for a 5,000-character Sorani body; text all in ASCII has nothing to fold and skips
    # them, so an English story costs one scan.
    return f"""(SELECT CASE WHEN length(t) = length(CAST(t AS BLOB)) THEN t ELSE (
            WITH RECURSIVE folding(n, text) AS (
                SELECT 0, t
                UNION ALL
                SELECT n + 1, replace(text, substr({_sqlite_chars(old)}, n + 1, 1),
                    substr({_sqlite_chars(new)}, n + 1, 1))
                FROM folding WHERE n < {len(old)})
            SELECT text FROM folding WHERE n = {len(old)})
        END FROM (SELECT {expression} AS t))"""


def _sqlite_chars(text: str) -> str:
    """The text as SQLite's char() of code points: the SQL stays ASCII, nothing invisible."""
    return f"char({', '.join(str(ord(c)) for c in text)})"


def _postgres_literal(text: str) -> str:
    """A Unicode-escaped string constant: readable in pg_proc, no invisible characters."""
    return "U&'" + "".join(c if c.isascii() else f"\\{ord(c):04X}" for c in text) + "'"
