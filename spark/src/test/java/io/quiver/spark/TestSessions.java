package io.quiver.spark;

import org.apache.spark.sql.SparkSession;

/** {@link SharedSpark} for test classes in other packages. */
public final class TestSessions {
  private TestSessions() {}

  public static SparkSession shared() {
    return SharedSpark.session();
  }
}
