// PostGraphile v5 on the Chapters schema (database chapters_perf, created by the project's own
// migrations), connected as the project's app role `chapters_app` (NOSUPERUSER, NOBYPASSRLS), so
// the same row-level-security policies bind it as bind the Chapters service.
//
// Tenant: the policies read `nullif(current_setting('app.tenant_id', true), '')::uuid`
// (migrations/tenancy_ops.py). Chapters sets it with set_config(..., true) at the start of each
// request's transaction (src/chapters/tenancy.py); PostGraphile does the same thing when
// pgSettings is non-empty: `begin; select set_config(k, v, true) ...; <query>; commit`.
// Here the tenant id comes from the X-Tenant-Id request header (no authentication), or, with
// PEER_AUTH=jwt, from the verified Chapters bearer token (see below).
//
// Stock Amber preset, production mode, GraphiQL off, pool POOL_SIZE (16).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { jsonPgSmartTags } from "postgraphile/utils";
import { createPublicKey, verify } from "node:crypto";
import { readFileSync } from "node:fs";

// Amber exposes condition/orderBy only on indexed columns. The roster query (Q1) filters
// memberships by status and orders them by created_at like the Chapters API does
// (ROSTER_ORDER = created_at, id; default status ACTIVE); neither column is indexed, so enable
// exactly those two with smart tags (the documented way; the SQL is the same either way).
const RosterTagsPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      chapter_memberships: {
        attribute: {
          status: { tags: { behavior: ["+filterBy"] } },
          created_at: { tags: { behavior: ["+orderBy"] } },
        },
      },
    },
  },
});

const port = Number(process.env.PEER_PORT ?? 5679);
const poolMax = Number(process.env.POOL_SIZE ?? 16);
const connectionString =
  process.env.PEER_DATABASE_URL ?? "postgres://chapters_app@127.0.0.1:55432/chapters_perf";

// PEER_AUTH=jwt (fairness variant): authenticate like Chapters does before any SQL -- verify the
// request's bearer token (the same ES256 tokens `chapters token` issues: signature with the
// service's public key, iss, aud, exp, nbf) and take the tenant from its `tid` claim. Chapters
// additionally loads the person and their chapter roles from the database; this does not.
const auth = process.env.PEER_AUTH ?? "header";
let publicKey, kid;
if (auth === "jwt") {
  const { d, ...pub } = JSON.parse(readFileSync(process.env.PEER_JWK_FILE, "utf8"));
  publicKey = createPublicKey({ key: pub, format: "jwk" });
  kid = pub.kid;
}
const ISSUER = process.env.PEER_JWT_ISSUER ?? "http://127.0.0.1:8000";
const AUDIENCE = process.env.PEER_JWT_AUDIENCE ?? "chapters";
const b64json = (s) => JSON.parse(Buffer.from(s, "base64url").toString("utf8"));

function tenantFromBearer(header) {
  const m = /^Bearer (.+)$/.exec(header ?? "");
  if (!m) throw new Error("missing bearer token");
  const [h, p, sig] = m[1].split(".");
  const head = b64json(h);
  if (head.alg !== "ES256" || head.kid !== kid) throw new Error("bad token header");
  const ok = verify("sha256", Buffer.from(`${h}.${p}`), { key: publicKey, dsaEncoding: "ieee-p1363" },
                    Buffer.from(sig, "base64url"));
  if (!ok) throw new Error("bad signature");
  const claims = b64json(p);
  const now = Date.now() / 1000;
  if (claims.iss !== ISSUER || claims.aud !== AUDIENCE || !(claims.exp > now) || (claims.nbf ?? 0) > now + 60)
    throw new Error("bad claims");
  return claims.tid;
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  plugins: [RosterTagsPlugin],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public"],
      poolConfig: { max: poolMax },
      pgSettings(requestContext) {
        const headers = requestContext.node?.req?.headers ?? {};
        if (auth === "jwt") return { "app.tenant_id": tenantFromBearer(headers.authorization) };
        const tenant = headers["x-tenant-id"];
        return { "app.tenant_id": typeof tenant === "string" ? tenant : "" };
      },
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    port,
    graphiql: false,
    watch: false,
  },
  grafast: {
    explain: false,
  },
};

export default preset;
