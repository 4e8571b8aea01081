/**
 * CloudRest's Keystone token (lib/twin/cloud/rest.ts): a burst of first calls shares one password
 * authentication; invalidate() makes the next call fetch a new one.
 */
import { CloudRest } from "../lib/twin/cloud/rest";

class CountingRest extends CloudRest {
  public tokenRequests = 0;
  constructor() {
    super({ pid: 1, namespaces: [] } as never, { authUrl: "http://192.0.2.1:5000", username: "admin", password: "x", project: "admin" });
  }
  public override async request<T>(_service: string, resource: string): Promise<{ body: T; headers: Record<string, string> }> {
    if (!resource.startsWith("a token")) throw new Error(`unexpected request ${resource}`);
    this.tokenRequests++;
    await new Promise((r) => setTimeout(r, 20));
    return { body: {} as T, headers: { "x-subject-token": `token-${this.tokenRequests}` } };
  }
}

test("concurrent first callers share one token request; after invalidate() the next call fetches a new token", async () => {
  const rest = new CountingRest();
  expect(await Promise.all([rest.token(), rest.token(), rest.token()])).toEqual(["token-1", "token-1", "token-1"]);
  expect(rest.tokenRequests).toBe(1);
  expect(await rest.token()).toBe("token-1");
  rest.invalidate();
  expect(await rest.token()).toBe("token-2");
  expect(rest.tokenRequests).toBe(2);
});
