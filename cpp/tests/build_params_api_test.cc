// The C ABI's parameter and open entry points reject bad arguments with a
// status and a message, never a crash.
#include <gtest/gtest.h>

#include <string>

#include "quiver/quiver.h"
#include "support/temp_dir.h"

namespace {

TEST(BuildParamsApi, SettersValidate) {
  qv_build_params* p = nullptr;
  ASSERT_EQ(qv_build_params_create(&p), QV_OK);
  EXPECT_EQ(qv_build_params_set_metric(p, QV_METRIC_COSINE), QV_OK);
  EXPECT_EQ(qv_build_params_set_metric(p, 3), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("metric"), std::string::npos);
  EXPECT_EQ(qv_build_params_set_nlist(p, -1), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_nlist(p, 100), QV_OK);
  EXPECT_EQ(qv_build_params_set_pq_m(p, -2), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_pq_bits(p, 4), QV_ERR_UNSUPPORTED);
  EXPECT_EQ(qv_build_params_set_pq_bits(p, 8), QV_OK);
  EXPECT_EQ(qv_build_params_set_train_sample(p, -5), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_threads(p, -1), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_seed(p, 7), QV_OK);
  EXPECT_EQ(qv_build_params_set_vector_column(p, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_vector_column(p, ""), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_vector_column(p, "emb"), QV_OK);
  EXPECT_EQ(qv_build_params_set_source(p, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_set_source(p, std::string(64 * 1024 + 1, 's').c_str()), QV_ERR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(qv_last_error()).find("source"), std::string::npos);
  EXPECT_EQ(qv_build_params_set_source(p, "delta table /t version 3"), QV_OK);
  EXPECT_EQ(qv_build_params_set_nlist(nullptr, 1), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_build_params_create(nullptr), QV_ERR_INVALID_ARGUMENT);
  qv_build_params_destroy(p);
  qv_build_params_destroy(nullptr);
}

TEST(Abi, VersionIsTheHeaders) {
  EXPECT_EQ(qv_abi_version(), static_cast<uint32_t>(QV_ABI_VERSION));
  EXPECT_EQ(std::string(qv_version()), std::to_string(QV_VERSION_MAJOR) + "." + std::to_string(QV_VERSION_MINOR) +
                                           "." + std::to_string(QV_VERSION_PATCH));
}

TEST(IndexApi, OpenRejectsBadArguments) {
  quiver::testing::TempDir dir("api-open");
  qv_index* idx = nullptr;
  EXPECT_EQ(qv_index_open(nullptr, 0, &idx), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_index_open(dir.path().c_str(), 0, nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_index_open(dir.path().c_str(), 0x80, &idx), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_index_open((dir / "missing").c_str(), 0, &idx), QV_ERR_NOT_FOUND);
  EXPECT_EQ(qv_index_open(dir.path().c_str(), 0, &idx), QV_ERR_NOT_FOUND);
  EXPECT_NE(std::string(qv_last_error()).find("manifest.json"), std::string::npos);
  EXPECT_EQ(idx, nullptr);
  EXPECT_EQ(qv_index_verify(nullptr), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_index_verify(dir.path().c_str()), QV_ERR_NOT_FOUND);
  qv_index_info info;
  EXPECT_EQ(qv_index_get_info(nullptr, &info), QV_ERR_INVALID_ARGUMENT);
  const char* source = nullptr;
  EXPECT_EQ(qv_index_get_source(nullptr, &source), QV_ERR_INVALID_ARGUMENT);
  qv_file_info file;
  EXPECT_EQ(qv_index_get_file(nullptr, 0, &file), QV_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(qv_index_file_status(nullptr, 0), QV_ERR_INVALID_ARGUMENT);
  qv_index_close(nullptr);
}

}  // namespace
