#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "graph_lookup.h"
#include "test_util.h"
#include "workloads/model_registry.h"
#include "workloads/sd_unet.h"

using namespace npusim::workloads;
using namespace npusim::testing;

namespace {

const std::string kModels = std::string(NPUSIM_SOURCE_DIR) + "/configs/models/";

Shape out_shape(const Graph& g, const std::string& name) { return g.tensor(op_named(g, name).outputs.at(0)).shape; }

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// The SDXL config with `line` replaced (exact match), written to a temporary directory.
class SdxlVariant {
 public:
  SdxlVariant(const std::string& line, const std::string& replacement) {
    std::string text = slurp(kModels + "sdxl-base/unet.json");
    size_t at = text.find(line);
    REQUIRE(at != std::string::npos);
    path_ = dir_.write("unet.json", text.replace(at, line.size(), replacement));
  }
  const std::string& path() const { return path_; }

 private:
  npusim::testing::TempDir dir_;
  std::string path_;
};

}  // namespace

TEST_CASE("SD 2.1-base UNet: parameters, heads of 64 and MACs") {
  UNetConfig cfg = load_unet_config(kModels + "sd21-base/unet.json");
  // No num_attention_heads: attention_head_dim [5, 10, 20, 20] is the head count per block,
  // which gives head dim 64 everywhere (320/5, 640/10, 1280/20).
  CHECK(cfg.attention_heads == std::vector<uint64_t>{5, 10, 20, 20});
  CHECK(cfg.use_linear_projection);
  CHECK(cfg.add_embedding_input_dim == 0);
  Graph g = build_unet(cfg, UNetInputs{}, Precision::kW8A8);

  // UNet2DConditionModel.from_pretrained("stabilityai/stable-diffusion-2-1-base", subfolder="unet"):
  // SD 1.5's 859,520,964 plus the wider cross-attention keys and values, 2*(1024-768)*C per
  // transformer over C = 5*320 + 5*640 + 6*1280 = 12,480 channels: 6,389,760.
  CHECK(g.param_count() == 865'910'724);
  CHECK(out_shape(g, "conv_out") == Shape{1, 4, 64, 64});

  CHECK(out_shape(g, "down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_q.permute") == Shape{1, 5, 4096, 64});
  // scores: B*H*S*S*D = 1*5*4096*4096*64 = 5,368,709,120 (H*D = 320, as in SD 1.5)
  CHECK(op_named(g, "down_blocks.0.attentions.0.transformer_blocks.0.attn1.scores").macs == 5'368'709'120);
  // Cross-attention keys from 77 tokens of 1024: tokens*out*in = 77*320*1024 = 25,231,360
  CHECK(op_named(g, "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k").macs == 25'231'360);
  // proj_in is a linear: 4096 tokens * 320 * 320 = 419,430,400
  CHECK(op_named(g, "down_blocks.0.attentions.0.proj_in").kind == OpKind::kLinear);
  CHECK(op_named(g, "down_blocks.0.attentions.0.proj_in").macs == 419'430'400);
  CHECK(out_shape(g, "mid_block.attentions.0.transformer_blocks.0.attn2.to_k.permute") == Shape{1, 20, 77, 64});
}

TEST_CASE("SDXL-base UNet: parameters, depths, add_embedding and MACs") {
  UNetConfig cfg = load_unet_config(kModels + "sdxl-base/unet.json");
  CHECK(cfg.attention_heads == std::vector<uint64_t>{5, 10, 20});
  CHECK(cfg.transformer_layers_per_block == std::vector<uint64_t>{1, 2, 10});
  CHECK(cfg.add_embedding_input_dim == 2816);
  CHECK(cfg.addition_time_embed_dim == 256);
  CHECK(cfg.sample_h == 128);
  Graph g = build_unet(cfg, UNetInputs{}, Precision::kW8A8);

  // UNet2DConditionModel.from_pretrained("stabilityai/stable-diffusion-xl-base-1.0", subfolder="unet")
  CHECK(g.param_count() == 2'567'463'684);
  CHECK(out_shape(g, "conv_out") == Shape{1, 4, 128, 128});
  CHECK(g.tensor(g.find_tensor("encoder_hidden_states").value()).shape == Shape{1, 77, 2048});
  // 1280 pooled text features + 6 time ids * 256 sinusoid features = 2816
  CHECK(g.tensor(g.find_tensor("add_embeds").value()).shape == Shape{1, 2816});

  // add_embedding.linear_1: out*in = 1280*2816 = 3,604,480; its output joins the time embedding.
  CHECK(op_named(g, "add_embedding.linear_1").macs == 3'604'480);
  CHECK(op_named(g, "add_embedding.linear_2").macs == 1280 * 1280);
  CHECK(out_shape(g, "add_embedding.add") == Shape{1, 1280});

  // conv_in at the 128x128 latent: N*K*P*Q*C*R*S = 1*320*128*128*4*3*3 = 188,743,680
  CHECK(op_named(g, "conv_in").macs == 188'743'680);
  // Block 0 is a DownBlock2D: no attention at 128x128.
  CHECK_FALSE(has_op(g, "down_blocks.0.attentions.0.proj_in"));
  CHECK_FALSE(has_op(g, "up_blocks.2.attentions.0.proj_in"));
  CHECK(has_op(g, "down_blocks.1.downsamplers.0.conv"));
  CHECK_FALSE(has_op(g, "down_blocks.2.downsamplers.0.conv"));

  // Self-attention at 64x64 = 4096 tokens, 10 heads of 64:
  // scores B*H*S*S*D = 1*10*4096*4096*64 = 10,737,418,240
  const std::string d1 = "down_blocks.1.attentions.0.transformer_blocks.";
  CHECK(out_shape(g, d1 + "0.attn1.to_q.permute") == Shape{1, 10, 4096, 64});
  CHECK(op_named(g, d1 + "0.attn1.scores").macs == 10'737'418'240);
  CHECK(op_named(g, d1 + "1.attn1.context").macs == 10'737'418'240);  // P*V: same loop bounds
  CHECK_FALSE(has_op(g, d1 + "2.attn1.scores"));                      // depth 2
  // Cross-attention at 32x32 = 1024 tokens, 20 heads of 64, 77 keys of 2048 features:
  // to_k tokens*out*in = 77*1280*2048 = 201,850,880; scores 1*20*1024*77*64 = 100,925,440
  const std::string d2 = "down_blocks.2.attentions.1.transformer_blocks.";
  CHECK(op_named(g, d2 + "0.attn2.to_k").macs == 201'850'880);
  CHECK(op_named(g, d2 + "9.attn2.scores").macs == 100'925'440);
  CHECK_FALSE(has_op(g, d2 + "10.attn2.scores"));  // depth 10
  // GEGLU projection: tokens*out*in = 1024 * (2*4*1280) * 1280 = 13,421,772,800
  CHECK(op_named(g, d2 + "0.ff.net.0.proj").macs == 13'421'772'800);

  // The mid block takes the last depth (10); up blocks mirror the down blocks' depths.
  CHECK(has_op(g, "mid_block.attentions.0.transformer_blocks.9.attn1.scores"));
  CHECK_FALSE(has_op(g, "mid_block.attentions.0.transformer_blocks.10.attn1.scores"));
  CHECK(has_op(g, "up_blocks.0.attentions.2.transformer_blocks.9.ff.net.2"));
  CHECK(has_op(g, "up_blocks.1.attentions.2.transformer_blocks.1.ff.net.2"));
  CHECK_FALSE(has_op(g, "up_blocks.1.attentions.2.transformer_blocks.2.ff.net.2"));
  // Skips: up_blocks.0.resnets.0 gets the mid block's 1280 + down_blocks.2.attentions.1's 1280.
  CHECK(out_shape(g, "up_blocks.0.resnets.0.concat") == Shape{1, 2560, 32, 32});
  CHECK(out_shape(g, "up_blocks.2.resnets.2.concat") == Shape{1, 640, 128, 128});
}

TEST_CASE("built-in sd21-unet and sdxl-unet: default latent from sample_size, --dim resolution") {
  ModelOptions opts;
  opts.model_dirs = {kModels};
  LoadedModel xl = load_model("sdxl-unet", opts);
  CHECK(xl.graph.param_count() == 2'567'463'684);
  CHECK(xl.graph.tensor(xl.graph.find_tensor("sample").value()).shape == Shape{1, 4, 128, 128});  // 1024x1024 px
  CHECK(load_model("sd21-unet", opts).graph.param_count() == 865'910'724);

  opts.dims = {{"resolution", 512}, {"text_tokens", 20}};
  LoadedModel small = load_model("sdxl-unet", opts);
  CHECK(small.graph.tensor(small.graph.find_tensor("sample").value()).shape == Shape{1, 4, 64, 64});
  CHECK(small.graph.tensor(small.graph.find_tensor("encoder_hidden_states").value()).shape == Shape{1, 20, 2048});
  CHECK(small.graph.param_count() == 2'567'463'684);

  std::vector<std::string> names = list_models({kModels});
  CHECK(std::find(names.begin(), names.end(), "sdxl-unet") != names.end());
  CHECK(std::find(names.begin(), names.end(), "sd21-unet") != names.end());
}

TEST_CASE("malformed SDXL variants give file:line errors") {
  SUBCASE("a transformer depth list of the wrong length") {
    SdxlVariant f("\"transformer_layers_per_block\": [\n    1,\n    2,\n    10\n  ],",
                  "\"transformer_layers_per_block\": [1, 2],");
    CHECK(error_of([&] { load_unet_config(f.path()); }) ==
          f.path() + ":57: transformer_layers_per_block = [1, 2]: expected 3 values, got 2");
  }
  SUBCASE("text_time without its input width") {
    SdxlVariant f("\"projection_class_embeddings_input_dim\": 2816,",
                  "\"projection_class_embeddings_input_dim\": null,");
    CHECK(error_of([&] { load_unet_config(f.path()); }) ==
          f.path() + ":47: projection_class_embeddings_input_dim = null: needed by addition_embed_type text_time");
  }
  SUBCASE("an input width that cannot hold the time ids") {
    SdxlVariant f("\"projection_class_embeddings_input_dim\": 2816,",
                  "\"projection_class_embeddings_input_dim\": 256,");
    CHECK(error_of([&] { load_unet_config(f.path()); })
              .find(f.path() + ":47: projection_class_embeddings_input_dim = 256: "
                               "must exceed addition_time_embed_dim (256)") == 0);
  }
  SUBCASE("an input width without text_time") {
    SdxlVariant f("\"addition_embed_type\": \"text_time\",", "\"addition_embed_type\": null,");
    CHECK(error_of([&] { load_unet_config(f.path()); })
              .find(f.path() + ":47: projection_class_embeddings_input_dim = "
                               "2816: only used with addition_embed_type text_time") == 0);
  }
  SUBCASE("another addition embedding type") {
    SdxlVariant f("\"addition_embed_type\": \"text_time\",", "\"addition_embed_type\": \"text\",");
    CHECK(error_of([&] { load_unet_config(f.path()); })
              .find(f.path() + ":5: addition_embed_type = \"text\": "
                               "addition_embed_type 'text' is not supported") == 0);
  }
  SUBCASE("heads that do not divide a block's channels") {
    SdxlVariant f("\"attention_head_dim\": [\n    5,\n    10,\n    20\n  ],", "\"attention_head_dim\": [5, 10, 24],");
    CHECK(error_of([&] {
            load_unet_config(f.path());
          }).find(f.path() + ":8: attention_head_dim = [5, 10, 24]: block 2") == 0);
  }
}
