import { IniSetting } from "../../push/desired-config";
import { renderIni } from "../site-config";

/** An ini document as sections of keys; rendered by the twin's one ini writer (site-config.ts). */
export type IniDoc = Record<string, Record<string, string | number | boolean>>;

export function ini(doc: IniDoc, header?: string): string {
  const settings: IniSetting[] = [];
  for (const [section, keys] of Object.entries(doc)) {
    for (const [key, value] of Object.entries(keys)) settings.push({ section, key, value: String(value) });
  }
  return `${header ? `# ${header}\n` : ""}${renderIni(settings)}`;
}

/** [keystone_authtoken] (and the same shape for [placement]/[neutron] clients) for a service user. */
export function keystoneAuth(authUrl: string, username: string, password: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    auth_url: authUrl,
    auth_type: "password",
    project_domain_name: "Default",
    user_domain_name: "Default",
    project_name: "service",
    username,
    password,
    ...extra,
  };
}
