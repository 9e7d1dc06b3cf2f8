// A minimal ONNX graph builder over onnx-proto, for the models Quarry generates itself (test CLIP, matrix products).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

export type Dim = number | string;
type ElemType = 'float' | 'int64' | 'int8';
const ELEM: Record<ElemType, number> = { float: DT.FLOAT, int64: DT.INT64, int8: DT.INT8 };
type Attr = number | number[] | string;

export class GraphBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private counter = 0;

  private valueInfo(name: string, elemType: number, shape: Dim[]) {
    return onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType,
          shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        },
      },
    });
  }

  input(name: string, type: ElemType, shape: Dim[]): string {
    this.inputs.push(this.valueInfo(name, ELEM[type], shape));
    return name;
  }

  output(name: string, shape: Dim[], type: ElemType = 'float'): void {
    this.outputs.push(this.valueInfo(name, ELEM[type], shape));
  }

  floats(values: Float32Array | number[], dims: number[], name = `c${this.counter++}`): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims,
        dataType: DT.FLOAT,
        rawData: new Uint8Array(data.buffer.slice(0)),
      }),
    );
    return name;
  }

  ints(values: number[], name = `c${this.counter++}`): string {
    const data = BigInt64Array.from(values.map(BigInt));
    this.initializers.push(
      onnx.TensorProto.create({
        name,
        dims: [values.length],
        dataType: DT.INT64,
        rawData: new Uint8Array(data.buffer),
      }),
    );
    return name;
  }

  /** Adds a node and returns its (single) output name, or `output` when given. */
  op(
    opType: string,
    inputs: string[],
    attrs: Record<string, Attr> = {},
    output = `t${this.counter++}`,
  ): string {
    return this.opOutputs(opType, inputs, [output], attrs)[0];
  }

  /** Adds a node with several named outputs (TopK's values and indices). */
  opOutputs(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}): string[] {
    const attribute = Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? { name, type: onnx.AttributeProto.AttributeType.INTS, ints: v }
        : typeof v === 'string'
          ? { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(v) }
          : Number.isInteger(v)
            ? { name, type: onnx.AttributeProto.AttributeType.INT, i: v }
            : { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: v },
    );
    this.nodes.push(
      onnx.NodeProto.create({ opType, input: inputs, output: outputs, name: outputs.join('+'), attribute }),
    );
    return outputs;
  }

  /** Serialises an opset-13 model. */
  build(name: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: 'quarry',
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
