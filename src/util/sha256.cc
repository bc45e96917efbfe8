#include "util/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

namespace aisafe::util {
namespace {

const EVP_MD* Sha256Md() {
  // EVP_MD_fetch is costly; fetch once. Leaked on purpose: it lives as long
  // as the process.
  static const EVP_MD* md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* ThreadCtx() {
  thread_local std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx(EVP_MD_CTX_new());
  if (!ctx) std::abort();
  return ctx.get();
}

Digest Finish(EVP_MD_CTX* ctx) {
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

}  // namespace

Digest Sha256(std::string_view data) {
  EVP_MD_CTX* ctx = ThreadCtx();
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1 || EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) {
    std::abort();  // Only fails on allocation failure.
  }
  return Finish(ctx);
}

Digest Sha256WithPrefix(uint8_t prefix, std::string_view data) {
  EVP_MD_CTX* ctx = ThreadCtx();
  if (EVP_DigestInit_ex2(ctx, Sha256Md(), nullptr) != 1 || EVP_DigestUpdate(ctx, &prefix, 1) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1) {
    std::abort();
  }
  return Finish(ctx);
}

}  // namespace aisafe::util
