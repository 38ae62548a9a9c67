import type { Child } from 'hono/jsx';

/** The dashboard's page shell: no script, no external assets; styles carry the CSP nonce if any. */
export function AdminLayout(props: { title: string; nonce?: string; children: Child; signedIn?: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>{props.title} · Sift admin</title>
        <style nonce={props.nonce}>{CSS}</style>
      </head>
      <body>
        <header class="top">
          <a href="/admin" class="brand">
            Sift <span class="muted">admin</span>
          </a>
          {props.signedIn}
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #ffffff; --panel: #f6f8fa; --line: #d1d9e0; --accent: #0b57d0; --bad: #b42318; --ok: #1a7f37; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9198a1; --bg: #16181b; --panel: #1f2328; --line: #3d444d; --accent: #8ab4f8; --bad: #ff8182; --ok: #56d364; --warn: #e3b341; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus, button:focus, input:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
.top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; border-bottom: 1px solid var(--line); padding-bottom: .5rem; margin-bottom: 1rem; }
.brand { font-weight: 700; font-size: 1.25rem; text-decoration: none; }
.muted { color: var(--muted); font-weight: 400; }
h1 { font-size: 1.5rem; margin: .25rem 0 1rem; } h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; }
button { font: inherit; padding: .3rem .75rem; border-radius: .375rem; border: 1px solid var(--accent); background: var(--accent); color: var(--bg); cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
input[type=text], input[type=password], input[type=email] { font: inherit; padding: .4rem .5rem; border: 1px solid var(--line); border-radius: .375rem; background: var(--bg); color: var(--fg); max-width: 100%; }
form.inline { display: inline; margin: 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .75rem; }
.tile { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: .6rem .8rem; }
.tile b { display: block; font-size: 1.5rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 28rem), 1fr)); gap: 1rem; }
.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: .6rem; min-width: 0; }
.chart svg[data-chart] { display: block; color: var(--muted); }
.legend { margin-left: .75rem; color: var(--muted); white-space: nowrap; }
.scroll { overflow-x: auto; border: 1px solid var(--line); border-radius: .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.url { min-width: 12rem; max-width: 22rem; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: .85em; border: 1px solid currentColor; white-space: nowrap; }
.state-ok { color: var(--ok); } .state-failing { color: var(--bad); } .state-paused { color: var(--warn); } .state-new { color: var(--muted); }
.notice { border: 1px solid var(--ok); border-radius: .5rem; padding: .5rem .75rem; }
.error { border: 1px solid var(--bad); border-radius: .5rem; padding: .5rem .75rem; color: var(--bad); }
.empty { color: var(--muted); font-style: italic; padding: .5rem; }
details summary { cursor: pointer; color: var(--muted); }
`;
