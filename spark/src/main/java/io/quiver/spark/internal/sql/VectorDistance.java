package io.quiver.spark.internal.sql;

import org.apache.spark.sql.catalyst.analysis.TypeCheckResult;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * The distance between two vectors (array&lt;float&gt; or array&lt;double&gt;) as the engine
 * defines it for its metrics, a Catalyst expression with generated code: an exact top k in SQL
 * ({@code ORDER BY l2_distance(a, b) LIMIT k}) ranks as the join does.
 *
 * <ul>
 *   <li>{@code l2_distance}: the squared Euclidean distance, the join's distance under L2;
 *   <li>{@code cosine_distance}: 1 - cos(a, b), the join's distance under COSINE; 1 when either
 *       vector is all zeros (it has no direction), as the engine's index treats it;
 *   <li>{@code inner_product}: the dot product; the join's distance under INNER_PRODUCT is its
 *       negation (smaller is nearer there).
 * </ul>
 *
 * <p>A null vector or a vector holding a null element gives null; vectors of different lengths
 * are an error naming the function and both lengths. The sums are taken in double precision.
 */
public abstract class VectorDistance extends Expression implements java.io.Serializable {
  // Catalyst's BinaryExpression cannot be extended from Java (its generic signatures clash in
  // javac), so this is an Expression with two children and the null handling written out.
  private final Expression left;
  private final Expression right;

  VectorDistance(Expression left, Expression right) {
    this.left = left;
    this.right = right;
  }

  /** The SQL name. */
  abstract String name();

  /** The static method of this class that computes it. */
  abstract String method();

  abstract VectorDistance copy(Expression left, Expression right);

  abstract double compute(ArrayData a, boolean aDouble, ArrayData b, boolean bDouble);

  public Expression left() {
    return left;
  }

  public Expression right() {
    return right;
  }

  @Override
  public scala.collection.Seq<Expression> children() {
    return scala.collection.JavaConverters.asScalaBuffer(java.util.List.of(left, right)).toSeq();
  }

  @Override
  public DataType dataType() {
    return DataTypes.DoubleType;
  }

  @Override
  public boolean nullable() {
    return true;
  }

  @Override
  public String prettyName() {
    return name();
  }

  @Override
  public TypeCheckResult checkInputDataTypes() {
    String problem = typeProblem(left, 1);
    if (problem == null) {
      problem = typeProblem(right, 2);
    }
    return problem == null ? TypeCheckResult.TypeCheckSuccess$.MODULE$ : new TypeCheckResult.TypeCheckFailure(problem);
  }

  private String typeProblem(Expression e, int position) {
    DataType t = e.dataType();
    if (t instanceof ArrayType a && (a.elementType() == DataTypes.FloatType || a.elementType() == DataTypes.DoubleType)) {
      return null;
    }
    return name() + ": argument " + position + " (" + e.sql() + ") is " + t.simpleString()
        + ", not a vector: array<float> or array<double>";
  }

  private static boolean isDouble(Expression e) {
    return ((ArrayType) e.dataType()).elementType() == DataTypes.DoubleType;
  }

  @Override
  public Object eval(InternalRow input) {
    ArrayData x = (ArrayData) left.eval(input);
    ArrayData y = x == null ? null : (ArrayData) right.eval(input);
    if (x == null || y == null || hasNull(x) || hasNull(y)) {
      return null;
    }
    checkLengths(x, y, name());
    return compute(x, isDouble(left), y, isDouble(right));
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    String self = VectorDistance.class.getName();
    ExprCode a = left.genCode(ctx);
    ExprCode b = right.genCode(ctx);
    String code = a.code() + "\n"
        + "boolean " + ev.isNull() + " = true;\n"
        + "double " + ev.value() + " = 0;\n"
        + "if (!" + a.isNull() + ") {\n"
        + b.code() + "\n"
        + "  if (!" + b.isNull() + " && !" + self + ".hasNull(" + a.value() + ") && !" + self + ".hasNull(" + b.value()
        + ")) {\n"
        + "    " + self + ".checkLengths(" + a.value() + ", " + b.value() + ", \"" + name() + "\");\n"
        + "    " + ev.value() + " = " + self + "." + method() + "(" + a.value() + ", " + isDouble(left) + ", "
        + b.value() + ", " + isDouble(right) + ");\n"
        + "    " + ev.isNull() + " = false;\n"
        + "  }\n"
        + "}\n";
    return ev.copy(new org.apache.spark.sql.catalyst.expressions.codegen.CodeBlock(
        scala.collection.JavaConverters.asScalaBuffer(java.util.List.of(code)).toSeq(),
        scala.collection.JavaConverters.asScalaBuffer(
            java.util.List.<org.apache.spark.sql.catalyst.expressions.codegen.JavaCode>of()).toSeq()),
        ev.isNull(), ev.value());
  }

  @Override
  public Expression withNewChildrenInternal(scala.collection.IndexedSeq<Expression> children) {
    return copy(children.apply(0), children.apply(1));
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    return switch (n) {
      case 0 -> left;
      case 1 -> right;
      default -> throw new IndexOutOfBoundsException(n);
    };
  }

  @Override
  public boolean canEqual(Object other) {
    return other != null && other.getClass() == getClass();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof VectorDistance d && d.getClass() == getClass() && d.left.equals(left)
        && d.right.equals(right);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * getClass().hashCode() + left.hashCode()) + right.hashCode();
  }

  // Called by the generated code, hence public.

  public static boolean hasNull(ArrayData v) {
    for (int i = 0; i < v.numElements(); i++) {
      if (v.isNullAt(i)) return true;
    }
    return false;
  }

  public static void checkLengths(ArrayData a, ArrayData b, String function) {
    if (a.numElements() != b.numElements()) {
      throw new IllegalArgumentException(function + ": the vectors have different lengths, "
          + a.numElements() + " and " + b.numElements());
    }
  }

  private static double at(ArrayData v, boolean isDouble, int i) {
    return isDouble ? v.getDouble(i) : v.getFloat(i);
  }

  public static double l2(ArrayData a, boolean aDouble, ArrayData b, boolean bDouble) {
    double s = 0;
    for (int i = 0; i < a.numElements(); i++) {
      double d = at(a, aDouble, i) - at(b, bDouble, i);
      s += d * d;
    }
    return s;
  }

  public static double dot(ArrayData a, boolean aDouble, ArrayData b, boolean bDouble) {
    double s = 0;
    for (int i = 0; i < a.numElements(); i++) {
      s += at(a, aDouble, i) * at(b, bDouble, i);
    }
    return s;
  }

  public static double cosine(ArrayData a, boolean aDouble, ArrayData b, boolean bDouble) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.numElements(); i++) {
      double x = at(a, aDouble, i);
      double y = at(b, bDouble, i);
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    return aa == 0 || bb == 0 ? 1 : 1 - ab / Math.sqrt(aa * bb);
  }

  /** {@code l2_distance(a, b)}. */
  public static final class L2 extends VectorDistance {
    public L2(Expression left, Expression right) {
      super(left, right);
    }

    @Override String name() { return "l2_distance"; }
    @Override String method() { return "l2"; }
    @Override VectorDistance copy(Expression l, Expression r) { return new L2(l, r); }
    @Override double compute(ArrayData a, boolean ad, ArrayData b, boolean bd) { return l2(a, ad, b, bd); }
  }

  /** {@code cosine_distance(a, b)}. */
  public static final class Cosine extends VectorDistance {
    public Cosine(Expression left, Expression right) {
      super(left, right);
    }

    @Override String name() { return "cosine_distance"; }
    @Override String method() { return "cosine"; }
    @Override VectorDistance copy(Expression l, Expression r) { return new Cosine(l, r); }
    @Override double compute(ArrayData a, boolean ad, ArrayData b, boolean bd) { return cosine(a, ad, b, bd); }
  }

  /** {@code inner_product(a, b)}. */
  public static final class InnerProduct extends VectorDistance {
    public InnerProduct(Expression left, Expression right) {
      super(left, right);
    }

    @Override String name() { return "inner_product"; }
    @Override String method() { return "dot"; }
    @Override VectorDistance copy(Expression l, Expression r) { return new InnerProduct(l, r); }
    @Override double compute(ArrayData a, boolean ad, ArrayData b, boolean bd) { return dot(a, ad, b, bd); }
  }
}
