// Certificate (admins): install the box's own certificate and key in place
// of the self-signed one this controller made at first start. The box
// checks the pair (they parse, the key is the certificate's, it is valid
// now) before it serves it; each controller keeps its own, so install it on
// both (open each controller's own address).
import { api } from './api.ts';
import { fill, h } from './dom.ts';
import type { PageContext } from './page.ts';

export function renderCertificate(main: HTMLElement, ctx: PageContext): void {
  const cert = h('textarea', {
    id: 'cert-pem',
    rows: 8,
    cols: 70,
    placeholder: '-----BEGIN CERTIFICATE-----',
  });
  const key = h('textarea', { id: 'key-pem', rows: 8, cols: 70, placeholder: '-----BEGIN PRIVATE KEY-----' });
  const result = h('p', { id: 'cert-result' });
  const install = (): void => {
    if (!window.confirm(`Serve this certificate on controller ${ctx.session.controller} from now on?`))
      return;
    api
      .certificate(cert.value, key.value)
      .then(() => {
        fill(result, 'Installed: new connections get it now (reload the page to see it).');
        result.className = 'ok';
      })
      .catch((err: unknown) => {
        fill(result, `Refused: ${(err as Error).message}`);
        result.className = 'bad';
      });
  };
  fill(
    main,
    h('h1', {}, 'Certificate'),
    h(
      'p',
      {},
      `Controller ${ctx.session.controller} serves a self-signed certificate made at its first start. ` +
        'Paste your own (PEM, with its chain) and its unencrypted key; install it on each controller.',
    ),
    h('label', {}, 'Certificate ', cert),
    h('label', {}, 'Private key ', key),
    h('button', { id: 'cert-install', onclick: install }, 'Install'),
    result,
  );
}
