import type { Child } from 'hono/jsx';

/** The shared page shell: accessible defaults, no external assets, no trackers. */
export function Layout(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{props.title} · Sift</title>
        <style>{CSS}</style>
      </head>
      <body>
        <header>
          <a href="/" class="brand">
            Sift
          </a>
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #4a5057; --bg: #ffffff; --accent: #0b57d0; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #b4bac1; --bg: #16181b; --accent: #8ab4f8; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 42rem; padding: 1rem; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
.brand { font-weight: 700; font-size: 1.25rem; text-decoration: none; }
button { font: inherit; padding: .5rem 1rem; border-radius: .375rem; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
.muted { color: var(--muted); }
`;
