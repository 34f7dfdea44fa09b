/* Logged out: the kept copies of story forms (drafts.js) go too, whoever typed them. */
"use strict";
try {
    Object.keys(localStorage)
        .filter((name) => name.startsWith("newsroom:draft:"))
        .forEach((name) => localStorage.removeItem(name));
} catch {
    // Storage refused (private mode): nothing was kept either.
}
