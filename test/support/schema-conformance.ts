import { readFileSync } from "fs";
import { join } from "path";

/**
 * Checks a synthesized cdk.tf.json against `terraform providers schema -json` documents: every
 * resource/data source type and attribute exists, values have the schema's type (Terraform
 * expressions "${...}" are accepted for any type), and every required attribute/block is set.
 */

type SchemaType = string | [string, any];
interface Block {
  attributes?: Record<string, { type?: SchemaType; required?: boolean; optional?: boolean; computed?: boolean }>;
  block_types?: Record<string, { nesting_mode: string; block: Block; min_items?: number; max_items?: number }>;
}

const META = new Set(["depends_on", "count", "for_each", "provider", "lifecycle", "connection", "provisioner", "//"]);

export function loadSchemas(...files: string[]): { resources: Record<string, Block>; data: Record<string, Block> } {
  const resources: Record<string, Block> = {};
  const data: Record<string, Block> = {};
  for (const file of files) {
    const doc = JSON.parse(readFileSync(join(__dirname, "../../schema", file), "utf8"));
    for (const provider of Object.values<any>(doc.provider_schemas)) {
      for (const [t, s] of Object.entries<any>(provider.resource_schemas ?? {})) resources[t] = s.block;
      for (const [t, s] of Object.entries<any>(provider.data_source_schemas ?? {})) data[t] = s.block;
    }
  }
  return { resources, data };
}

const isExpr = (v: unknown) => typeof v === "string" && /^\$\{[\s\S]*\}$/.test(v);

function typeErrors(value: unknown, type: SchemaType, where: string): string[] {
  if (isExpr(value)) return [];
  if (typeof type === "string") {
    if (type === "dynamic") return [];
    const ok =
      (type === "string" && typeof value === "string") ||
      (type === "number" && (typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)))) ||
      (type === "bool" && (typeof value === "boolean" || value === "true" || value === "false"));
    return ok ? [] : [`${where}: expected ${type}, got ${JSON.stringify(value)}`];
  }
  const [kind, inner] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(value)) return [`${where}: expected ${kind}, got ${JSON.stringify(value)}`];
    return value.flatMap((v, i) => typeErrors(v, inner, `${where}[${i}]`));
  }
  if (kind === "map") {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return [`${where}: expected map`];
    return Object.entries(value).flatMap(([k, v]) => typeErrors(v, inner, `${where}.${k}`));
  }
  if (kind === "object") {
    if (typeof value !== "object" || value === null) return [`${where}: expected object`];
    return Object.entries(value).flatMap(([k, v]) =>
      inner[k] ? typeErrors(v, inner[k], `${where}.${k}`) : [`${where}.${k}: not in object type`],
    );
  }
  return [];
}

function blockErrors(config: any, block: Block, where: string): string[] {
  const errors: string[] = [];
  for (const [key, value] of Object.entries<any>(config)) {
    if (META.has(key)) continue;
    const attr = block.attributes?.[key];
    const nested = block.block_types?.[key];
    if (attr) {
      if (attr.computed && !attr.optional && !attr.required) errors.push(`${where}.${key}: computed-only attribute set`);
      else if (attr.type) errors.push(...typeErrors(value, attr.type, `${where}.${key}`));
    } else if (nested) {
      const items = nested.nesting_mode === "single" || nested.nesting_mode === "group" ? [value] : value;
      if (!Array.isArray(items)) {
        errors.push(`${where}.${key}: expected a list of blocks`);
        continue;
      }
      if (nested.max_items !== undefined && items.length > nested.max_items) errors.push(`${where}.${key}: more than ${nested.max_items} blocks`);
      items.forEach((item: any, i: number) => errors.push(...blockErrors(item, nested.block, `${where}.${key}[${i}]`)));
    } else {
      errors.push(`${where}.${key}: no such attribute or block in the provider schema`);
    }
  }
  for (const [key, attr] of Object.entries(block.attributes ?? {})) {
    if (attr.required && !(key in config)) errors.push(`${where}.${key}: required attribute not set`);
  }
  for (const [key, nested] of Object.entries(block.block_types ?? {})) {
    if ((nested.min_items ?? 0) > 0 && !(key in config)) errors.push(`${where}.${key}: required block not set`);
  }
  return errors;
}

export function conformanceErrors(doc: any, schemas: ReturnType<typeof loadSchemas>): string[] {
  const errors: string[] = [];
  for (const [kind, section] of [["resource", schemas.resources], ["data", schemas.data]] as const) {
    for (const [type, byName] of Object.entries<any>(doc[kind] ?? {})) {
      const block = section[type];
      if (!block) {
        errors.push(`${kind}.${type}: type not in the provider schema`);
        continue;
      }
      for (const [name, config] of Object.entries<any>(byName)) errors.push(...blockErrors(config, block, `${kind}.${type}.${name}`));
    }
  }
  return errors;
}
