// A minimal ONNX graph builder over onnx-proto, for the models Quarry generates itself (test CLIP, matrix products).
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

export type Dim = number | string;
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

  input(name: string, type: 'float' | 'int64', shape: Dim[]): string {
    this.inputs.push(this.valueInfo(name, type === 'float' ? DT.FLOAT : DT.INT64, shape));
    return name;
  }

  output(name: string, shape: Dim[]): void {
    this.outputs.push(this.valueInfo(name, DT.FLOAT, shape));
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
      onnx.NodeProto.create({ opType, input: inputs, output: [output], name: output, attribute }),
    );
    return output;
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
