/**
 * Finds secret material in synthesized output: private keys, and literal values of keys that name
 * passwords, secrets, tokens or private keys (a Terraform reference "${var.x}" is not a literal).
 */
const KEY_BLOCK = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const SECRET_NAME = /(password|passwd|secret|token|private_key|privatekey|credential)/i;
/** Keys that name WHERE a secret is (a file path, an env var name), not the secret itself. */
const POINTER_NAME = /(file|path|env)$/i;

export function findSecrets(doc: unknown, path = "$"): string[] {
  const found: string[] = [];
  const visit = (value: unknown, where: string, key?: string) => {
    if (typeof value === "string") {
      if (KEY_BLOCK.test(value)) found.push(`${where}: private key material`);
      if (key && SECRET_NAME.test(key) && !POINTER_NAME.test(key) && value !== "" && !/^\$\{[\s\S]*\}$/.test(value) && !/^(true|false)$/i.test(value)) {
        found.push(`${where}: literal value for "${key}"`);
      }
      // Embedded JSON (the lab description, access info) is scanned too.
      if (/^\s*[{[]/.test(value)) {
        try {
          visit(JSON.parse(value), `${where}<json>`);
        } catch {
          /* not JSON */
        }
      }
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => visit(v, `${where}[${i}]`, key));
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, `${where}.${k}`, k);
    }
  };
  visit(doc, path);
  return found;
}
