import type { Child } from 'hono/jsx';

/** What the shared page shell needs besides the content. */
export interface LayoutProps {
  title: string;
  children: Child;
  /** CSP nonce for the one inline script (progressive enhancement only: every page works without it). */
  nonce?: string | undefined;
  /** Whether someone is signed in (shows "Preferences" and "Sign out" instead of "Sign in"). */
  signedIn?: boolean;
}

/** The shared page shell: accessible defaults, no external assets, no trackers. */
export function Layout(props: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Sift`}</title>
        <style dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a href="/" class="brand">
            Sift
          </a>
          <nav aria-label="Account">
            {props.signedIn ? (
              <form method="post" action="/signout" class="inline">
                <a href="/preferences">Preferences</a>{' '}
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            ) : (
              <a href="/signin">Sign in</a>
            )}
          </nav>
        </header>
        <main id="main">{props.children}</main>
        <footer class="muted">
          <p>
            Sift sends only what you ask for. No tracking pixels, no click tracking.{' '}
            <a href="/privacy">Privacy</a>
          </p>
        </footer>
        {props.nonce ? <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: SCRIPT }} /> : null}
      </body>
    </html>
  );
}

// Progressive enhancement only: fills time-zone fields from the browser, offers the browser's zone
// on the preferences page, hides the weekday for daily editions, and refreshes the preview as the
// preferences form changes (before saving). Nothing depends on it.
const SCRIPT = `(function(){var tz;try{tz=Intl.DateTimeFormat().resolvedOptions().timeZone}catch(e){}
if(tz)document.querySelectorAll('input[data-browser-tz]').forEach(function(i){if(!i.value)i.value=tz});
if(tz)document.querySelectorAll('button[data-tz-target]').forEach(function(b){var i=document.getElementById(b.getAttribute('data-tz-target'));if(!i||i.value===tz)return;
b.textContent="Use this browser's time zone ("+tz+")";b.hidden=false;b.addEventListener('click',function(){i.value=tz;i.focus()})});
var f=document.querySelector('select[name=frequency]');var w=document.getElementById('weekday-field');
function sync(){if(f&&w)w.hidden=f.value!=='weekly'}if(f){f.addEventListener('change',sync);sync()}
var pf=document.querySelector('form[data-live-preview]');var box=document.getElementById('preview-live');
if(pf&&box&&window.fetch&&window.FormData){var t;var run=function(){clearTimeout(t);t=setTimeout(function(){
fetch('/preferences/preview',{method:'POST',body:new FormData(pf),credentials:'same-origin'}).then(function(r){return r.text()}).then(function(h){box.innerHTML=h}).catch(function(){})},350)};
pf.addEventListener('input',run);pf.addEventListener('change',run)}})();`;

const CSS = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #4a5057; --bg: #ffffff; --panel: #f5f6f8; --line: #d0d4d9; --accent: #0b57d0; --accent-fg: #ffffff; --danger: #b3261e; --ok: #146c2e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #b4bac1; --bg: #16181b; --panel: #202328; --line: #3a3f46; --accent: #8ab4f8; --accent-fg: #0b1a33; --danger: #f2b8b5; --ok: #8fd19e; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, summary:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .25rem .5rem; }
.top { display: flex; justify-content: space-between; align-items: center; gap: 1rem; margin-bottom: 1rem; }
.brand { font-weight: 700; font-size: 1.25rem; text-decoration: none; }
h1 { font-size: 1.75rem; line-height: 1.2; } h2 { font-size: 1.25rem; margin-top: 2rem; }
button { font: inherit; padding: .5rem 1rem; border-radius: .375rem; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-fg); cursor: pointer; }
button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--danger); border-color: var(--danger); color: var(--bg); }
button.link { background: none; border: none; color: var(--accent); padding: 0; text-decoration: underline; }
form.inline { display: inline; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
label.check { font-weight: 400; display: flex; gap: .5rem; align-items: baseline; margin: .25rem 0; }
input, select, textarea { font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--muted); border-radius: .375rem; padding: .4rem .5rem; max-width: 100%; }
input[type=email], input[type=text]:not(.narrow), textarea { width: 100%; }
input.narrow { width: 6rem; }
fieldset { border: 1px solid var(--line); border-radius: .5rem; margin: 1rem 0; padding: .5rem 1rem 1rem; }
legend { font-weight: 700; padding: 0 .25rem; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: .25rem .5rem .25rem 0; vertical-align: middle; }
.panel { background: var(--panel); border-radius: .5rem; padding: 1rem; margin: 1rem 0; }
.muted, .hint { color: var(--muted); } .hint { font-size: .9rem; margin: .25rem 0; }
.error { color: var(--danger); font-weight: 600; margin: .25rem 0; }
.notice { border-left: 4px solid var(--ok); padding: .5rem 1rem; background: var(--panel); }
.alert { border-left: 4px solid var(--danger); padding: .5rem 1rem; background: var(--panel); }
.picks { padding-left: 1.25rem; } .picks li { margin: .5rem 0; } .reasons { margin: 0; padding-left: 1rem; font-size: .9rem; color: var(--muted); }
code, .token { word-break: break-all; }
footer { margin-top: 3rem; font-size: .9rem; }
`;
