import type { Node } from "../nodes/node.js";

/** Any node, whatever its arguments and result. */
export type AnyNode = Node<any, any>;

/**
 * What an `args` mapping receives: the flow's input and the outputs of the steps finished so far.
 * `I` is the flow's input type (see {@link FlowInput}).
 */
export interface StepArgsContext<I = unknown> {
  /** The flow's first argument. */
  readonly input: I;
  /** Outputs of the steps that have finished, by step name (every dependency is among them). */
  readonly results: Readonly<Record<string, unknown>>;
}

/** Maps the flow's input and earlier outputs to a step's arguments (an array, spread into the call). */
export type StepArgs<I = unknown> = (context: StepArgsContext<I>) => unknown[];

/** A step written in full; `I` is the flow's input type, what `args` receives as `input`. */
export interface FlowStepSpec<N extends AnyNode = AnyNode, I = any> {
  /** The node this step calls. */
  node: N;
  /** Steps that must finish before this one starts. @default [] (a root step: gets the flow input) */
  after?: readonly string[];
  /**
   * The step's arguments. Without it: a root step gets the flow's arguments, a step with one
   * dependency gets that step's output, a step with several gets `{ [step]: output }`.
   */
  args?: StepArgs<I>;
  /** Leave this step's output out of the flow's result (it still reaches later steps). @default false */
  exclude?: boolean;
}

/** A step: a node (a root step), or a node with its dependencies and argument mapping. */
export type FlowStep<I = any> = AnyNode | FlowStepSpec<AnyNode, I>;

/** A flow's steps by name, in definition order. */
export type FlowSteps<I = any> = Readonly<Record<string, FlowStep<I>>>;

/**
 * The shape `rt.flow` infers its steps from. `args` is left open here: its parameter is typed by
 * {@link InputSteps}, from the flow's input (two function types for one `args` would give it none).
 */
export type StepsShape = Readonly<
  Record<string, AnyNode | { node: AnyNode; after?: readonly string[]; args?: unknown; exclude?: boolean }>
>;

/**
 * Where `rt.flow` infers the flow's input `I` from (the first parameter of the root nodes) and
 * what types `input` in every `args` mapping.
 */
export type InputSteps<I> = Readonly<
  Record<string, Node<[input: I, ...rest: any[]], any> | Node<[], any> | AnyNode | FlowStepSpec<AnyNode, I>>
>;

type FirstParameter<N> = N extends (...args: infer A) => any ? (A extends [] ? never : A[0]) : never;
type RootInput<S> = S extends AnyNode
  ? FirstParameter<S>
  : S extends { after: readonly string[] }
    ? S["after"] extends readonly []
      ? S extends { node: infer N }
        ? FirstParameter<N>
        : never
      : never
    : S extends { node: infer N }
      ? FirstParameter<N>
      : never;
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * The input of a flow over steps `S`: what its root steps (steps with no `after`) take as their
 * first argument, all of them at once (every root step gets the same input). `unknown` when no
 * root step takes an argument.
 */
export type FlowInput<S> = [RootInput<S[keyof S]>] extends [never]
  ? unknown
  : Intersect<{ [K in keyof S]: RootInput<S[K]> }[keyof S]>;

/** A flow's parameters for input `I`: optional when it may be `undefined` or is not known. */
export type FlowParameters<I> = unknown extends I
  ? [input?: any, ...rest: any[]]
  : undefined extends I
    ? [input?: I, ...rest: any[]]
    : [input: I, ...rest: any[]];

/** What a flow does when a step fails. */
export type OnError = "fail-fast" | "continue";

/** Options of `rt.flow`, `rt.flow.fromPaths` and `rt.flowFromJSON`. */
export interface FlowOptions<R extends string | undefined = string | undefined> {
  /** Run steps at the same time as soon as their dependencies allow. `false`: one at a time. @default true */
  parallel?: boolean;
  /** How many steps of one run may run at once (not allowed above 1 with `parallel: false`). @default unlimited */
  concurrency?: number;
  /**
   * `"fail-fast"`: the first failing step cancels the steps still running and the flow rejects with
   * that error, unchanged. `"continue"`: steps downstream of a failure are recorded `skipped`, the
   * others run to the end, then the flow rejects with a `FlowStepsFailedError` that carries every
   * output it has (`results`) and every step's error (`errors`).
   * @default "fail-fast"
   */
  onError?: OnError;
  /** Return this step's output instead of the `{ [step]: output }` object. */
  returns?: R;
  /** What the flow does, shown in trees and tool schemas. */
  description?: string;
  /** The whole run fails with `NodeTimeoutError` after this many milliseconds; running steps end `cancelled`. */
  timeoutMs?: number;
}

/** Flow options after validation and defaults. */
export interface ResolvedFlowOptions {
  readonly parallel: boolean;
  readonly concurrency: number | undefined;
  readonly onError: OnError;
  readonly returns: string | undefined;
  readonly description: string | undefined;
  readonly timeoutMs: number | undefined;
}

/** One step as the flow holds it (`flow.steps`). */
export interface FlowStepInfo {
  readonly name: string;
  readonly node: AnyNode;
  /** Its dependencies, in the order given. */
  readonly after: readonly string[];
  readonly args: StepArgs | undefined;
  readonly exclude: boolean;
}

/** Options of `flow.toMermaid`. */
export interface MermaidOptions {
  /** `"TD"` top-down or `"LR"` left-right. @default "TD" */
  direction?: "TD" | "LR";
}

type NodeOutput<N> = N extends (...args: any) => Promise<infer R> ? R : unknown;
/** The output type of a step. */
export type StepOutput<S> = S extends { node: infer N } ? NodeOutput<N> : NodeOutput<S>;
type Included<S> = {
  -readonly [K in keyof S as S[K] extends { exclude: true } ? never : K]: StepOutput<S[K]>;
};
/** What a flow over steps `S` resolves with: the `returns` step's output, or the object of outputs. */
export type FlowResult<S, R> = R extends keyof S ? StepOutput<S[R]> : Included<S>;

/** The JSON form of one step (`flow.toJSON().steps`). */
export interface FlowStepJSON {
  name: string;
  /** The registered name of the step's node. */
  node: string;
  after: string[];
  exclude: boolean;
  /** `true` when the step had an `args` function: it was not exported and must be given back on load. */
  args?: true;
}

/** The JSON form of a flow: what `flow.toJSON()` returns and `rt.flowFromJSON` reads. */
export interface FlowJSON {
  format: "runtrace.flow";
  version: 1;
  name: string;
  description?: string;
  steps: FlowStepJSON[];
  options: {
    parallel: boolean;
    onError: OnError;
    concurrency?: number;
    returns?: string;
    timeoutMs?: number;
  };
}

/**
 * A flow: a node of kind `"flow"` that runs its steps as a dependency graph. Call it, `rt.call` it,
 * nest it as a step of another flow, or run several with `Promise.all`.
 *
 * @example
 * ```ts
 * pipeline.levels();                  // [["ingest"], ["stats", "patterns"], ["report"]]
 * pipeline.toMermaid();               // "flowchart TD\n  s0[\"ingest\"]\n ..."
 * const spec = JSON.stringify(pipeline);   // toJSON(): load it back with rt.flowFromJSON(spec)
 * ```
 */
export interface Flow<R = unknown, I = unknown> extends Node<FlowParameters<I>, R> {
  /** The steps, in definition order. */
  readonly steps: readonly FlowStepInfo[];
  /** The flow's options, validated, defaults filled in. */
  readonly flowOptions: ResolvedFlowOptions;
  /** Every dependency edge as `[from, to]`: `to` runs after `from`. */
  edges(): Array<[string, string]>;
  /** Steps grouped by depth: level 0 are the roots, level k steps whose longest dependency chain is k. */
  levels(): string[][];
  /** The flow as plain JSON (nodes by registered name). `args` functions are flagged, not exported. */
  toJSON(): FlowJSON;
  /** A Mermaid `flowchart`: one node per step, one edge per dependency, excluded steps dashed. */
  toMermaid(options?: MermaidOptions): string;
}
