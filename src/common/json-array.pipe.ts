import type { PipeTransform } from '@nestjs/common';
import { validateSync } from 'class-validator';

import type { FieldError } from './envelope';
import { InvalidRequestError } from './errors';
import { invalidFields, MAX_REPORTED_ERRORS } from './field-errors';
import { ajv } from './safe-text';
import { toFieldErrors, VALIDATOR_OPTIONS } from './validation';

/** The JSON schema of one item of an array body: an object of known properties. */
export interface ItemSchema {
  type: 'object';
  additionalProperties: false;
  required: readonly string[];
  properties: Readonly<Record<string, object>>;
}

/** Two items of a batch that must not share a key, and how an answer names it. */
export interface DuplicateRule<Batch> {
  /** The key of item `index` of the converted batch (after conversion: two spellings of one value are one key). */
  key: (batch: Batch, index: number) => string;
  /** Where the key is in an item (`.id`), or '' when the key is the whole item. */
  path: string;
  /** What the key is, in the answer: `id`, `timeseriesId, metric and instant`. */
  name: string;
  /** The key's value of item `index`, as the answer shows it: `"a"`, `2026-11-26T08:00:00.000Z`. */
  shown: (batch: Batch, index: number) => string;
}

/** What one JSON array body is made of, and what its route receives. */
export interface JsonArrayRules<Item extends object, Batch> {
  /** What the items are, in the answers: `point` / `points`; and what the route does with them: `register`. */
  noun: { one: string; many: string };
  verb: string;
  maxItems: number;
  /**
   * The item's DTO, the declared contract: class-validator decorators that explain what is wrong
   * with an item (and that the swagger plugin documents).
   */
  dto: new () => Item;
  /**
   * The same rules as a JSON schema, compiled by Ajv: the fast path, which a valid body (nearly
   * every body) passes in microseconds per item. A test holds it to the DTO and to the OpenAPI document.
   */
  itemSchema: ItemSchema;
  /**
   * What the route receives, from items that passed the rules; undefined when an item only looked
   * valid to the schema (a rule a pattern cannot say, such as the calendar): the DTO then explains.
   */
  convert: (items: readonly Item[]) => Batch | undefined;
  /** The number of items of a converted batch. */
  size: (batch: Batch) => number;
  duplicates: DuplicateRule<Batch>;
}

/**
 * The one way a route validates a body that is a JSON array (Nest's ValidationPipe does not
 * validate top-level arrays): 1..maxItems objects of known fields, each valid by its DTO, no two
 * with the same key. Every problem is a 400 naming the item by its path (`[3].timestamp`), in one
 * format (`Invalid samples: [3].timestamp: ...; and 4 more (see errors)`), at most
 * MAX_REPORTED_ERRORS of them. Feature pipes extend it with their rules (PointListPipe, SampleListPipe).
 */
export abstract class JsonArrayPipe<Item extends object, Batch> implements PipeTransform<unknown, Batch> {
  private readonly isValidFast: (body: unknown) => body is Item[];
  private readonly fields: ReadonlySet<string>;

  protected constructor(private readonly rules: JsonArrayRules<Item, Batch>) {
    this.isValidFast = ajv.compile<Item[]>({
      type: 'array',
      minItems: 1,
      maxItems: rules.maxItems,
      items: rules.itemSchema,
    });
    this.fields = new Set(Object.keys(rules.itemSchema.properties));
  }

  transform(body: unknown): Batch {
    const batch = this.viaSchema(body) ?? this.viaDto(body);
    this.rejectDuplicates(batch);
    return batch;
  }

  /** The fast path alone: the batch, or undefined when the schema or the conversion refuses the body. */
  viaSchema(body: unknown): Batch | undefined {
    return this.isValidFast(body) ? this.rules.convert(body) : undefined;
  }

  /** The DTOs alone (class-validator, item by item): slower, and a 400 naming every problem by its path. */
  viaDto(body: unknown): Batch {
    const { noun, verb, maxItems } = this.rules;
    if (!Array.isArray(body)) throw new InvalidRequestError(`The request body must be a JSON array of ${noun.many}`);
    if (body.length === 0) throw new InvalidRequestError(`No ${noun.many} provided`);
    if (body.length > maxItems) {
      throw new InvalidRequestError(
        `Too many ${noun.many}: a request may ${verb} at most ${maxItems} ${noun.many}, got ${body.length}`,
      );
    }
    const items: Item[] = [];
    const errors: FieldError[] = [];
    for (const [index, item] of (body as unknown[]).entries()) {
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      for (const error of this.itemErrors(item, `[${index}]`, items)) errors.push(error);
    }
    if (errors.length > 0) throw invalidFields(`Invalid ${noun.many}`, errors);
    const batch = this.rules.convert(items);
    // Only a rule the DTO does not hold would get here: a bug, never the client's mistake.
    if (batch === undefined) throw new Error(`${noun.many}: the DTO accepted items the conversion refuses`);
    return batch;
  }

  /** What is wrong with one item; a valid one is added to `items`. */
  private itemErrors(item: unknown, path: string, items: Item[]): FieldError[] {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      const required = this.rules.itemSchema.required;
      const shape = `${required.slice(0, -1).join(', ')} and ${required[required.length - 1]}`;
      return [{ path, message: `each ${this.rules.noun.one} must be an object with ${shape}` }];
    }
    // Unknown fields are named here and only the known ones are copied: a key such as "constructor"
    // never reaches the DTO, and a value nested 10,000 levels deep fails as "not a string" instead
    // of recursing through class-transformer until the stack overflows.
    const errors: FieldError[] = [];
    for (const key in item) {
      // A body of one object with 150,000 unknown keys fits the limit: name the first few only.
      if (errors.length >= MAX_REPORTED_ERRORS) break;
      if (Object.hasOwn(item, key) && !this.fields.has(key)) {
        errors.push({ path: `${path}.${key}`, message: `${key} is not a known field` });
      }
    }
    const dto = new this.rules.dto();
    for (const field of this.fields) {
      const value = (item as Record<string, unknown>)[field];
      if (value !== undefined) (dto as Record<string, unknown>)[field] = value;
    }
    errors.push(...toFieldErrors(validateSync(dto, VALIDATOR_OPTIONS), path));
    if (errors.length === 0) items.push(dto);
    return errors;
  }

  /** The same key twice: a 400 naming each later item and the first one it repeats. */
  private rejectDuplicates(batch: Batch): void {
    const { key, path, name, shown } = this.rules.duplicates;
    const size = this.rules.size(batch);
    const first = new Map<string, number>();
    for (let index = 0; index < size; index++) {
      const value = key(batch, index);
      if (!first.has(value)) first.set(value, index);
    }
    // The common case, distinct keys, costs one Map; the answer is worked out only for duplicates.
    if (first.size === size) return;
    const errors: FieldError[] = [];
    for (let index = 0; index < size && errors.length < MAX_REPORTED_ERRORS; index++) {
      const earlier = first.get(key(batch, index))!;
      if (earlier === index) continue;
      errors.push({
        path: `[${index}]${path}`,
        message: `the same ${name} as [${earlier}]: ${shown(batch, index)}`,
      });
    }
    throw invalidFields(`Duplicate ${this.rules.noun.many} in the request`, errors);
  }
}
