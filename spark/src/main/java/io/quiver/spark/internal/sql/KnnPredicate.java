package io.quiver.spark.internal.sql;

import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import scala.collection.JavaConverters;

/**
 * {@code quiver_knn(left_vector, corpus_vector, k [, options])}: the condition of a join that
 * {@link KnnJoinRule} plans as the fused k-nearest join. It ranks a left row's corpus rows, which
 * no test of one pair can do, so anywhere else it is an error saying where it belongs.
 */
public final class KnnPredicate extends Expression implements java.io.Serializable {
  static final String NAME = "quiver_knn";

  private final List<Expression> args;

  public KnnPredicate(List<Expression> args) {
    if (args.size() < 3 || args.size() > 4) {
      throw new IllegalArgumentException(NAME + " takes 3 or 4 arguments (left_vector, corpus_vector, k [, options"
          + " map]); got " + args.size());
    }
    this.args = List.copyOf(args);
  }

  /** For Catalyst, which copies expressions through the constructor that takes their fields. */
  public KnnPredicate(scala.collection.Seq<Expression> args) {
    this(JavaConverters.seqAsJavaList(args));
  }

  List<Expression> args() {
    return args;
  }

  @Override
  public scala.collection.Seq<Expression> children() {
    return JavaConverters.asScalaBuffer(args).toSeq();
  }

  @Override
  public DataType dataType() {
    return DataTypes.BooleanType;
  }

  @Override
  public boolean nullable() {
    return false;
  }

  @Override
  public boolean foldable() {
    return false;
  }

  private UnsupportedOperationException misplaced() {
    return new UnsupportedOperationException(NAME + " is a join condition on its own: FROM left l JOIN corpus c"
        + " ON " + NAME + "(l.vector, c.vector, k), an inner join with no other condition (filter the"
        + " joined rows in WHERE)");
  }

  @Override
  public Object eval(InternalRow input) {
    throw misplaced();
  }

  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    throw misplaced();
  }

  @Override
  public Expression withNewChildrenInternal(scala.collection.IndexedSeq<Expression> children) {
    return new KnnPredicate(JavaConverters.seqAsJavaList(children));
  }

  @Override
  public String prettyName() {
    return NAME;
  }

  @Override
  public int productArity() {
    return 1;
  }

  @Override
  public Object productElement(int n) {
    if (n != 0) throw new IndexOutOfBoundsException(n);
    return children();
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof KnnPredicate;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KnnPredicate p && p.args.equals(args);
  }

  @Override
  public int hashCode() {
    return args.hashCode();
  }
}
