package dev.portico.gateway.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcStatusTest {

  @ParameterizedTest
  @ValueSource(strings = {"application/grpc", "application/grpc+proto", "application/grpc+json",
      "Application/GRPC", "application/grpc; charset=utf-8"})
  void recognizesGrpcContentTypes(String contentType) {
    assertThat(GrpcStatus.isGrpc(HttpFields.build().put("content-type", contentType))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/grpc-web", "application/grpc-web+proto", "application/json",
      "application/grpcx", "text/plain"})
  void leavesOtherContentTypesAlone(String contentType) {
    assertThat(GrpcStatus.isGrpc(HttpFields.build().put("content-type", contentType))).isFalse();
  }

  @Test
  void requestWithoutContentTypeIsNotGrpc() {
    assertThat(GrpcStatus.isGrpc(HttpFields.EMPTY)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"400,3", "401,16", "403,7", "404,12", "405,12", "408,4", "413,8", "429,8", "431,8",
      "500,13", "502,14", "503,14", "504,4", "409,2", "418,2"})
  void mapsRefusalStatusesToGrpcCodes(int http, int grpc) {
    assertThat(GrpcStatus.fromHttp(http)).isEqualTo(grpc);
  }

  @Test
  void percentEncodesMessagesAsTheGrpcSpecRequires() {
    assertThat(GrpcStatus.encodeMessage("plain text, ok: ~!")).isEqualTo("plain text, ok: ~!");
    assertThat(GrpcStatus.encodeMessage("100% sure")).isEqualTo("100%25 sure");
    assertThat(GrpcStatus.encodeMessage("line\r\nbreak")).isEqualTo("line%0D%0Abreak");
    assertThat(GrpcStatus.encodeMessage("caf\u00e9 \u2713")).isEqualTo("caf%C3%A9 %E2%9C%93");
  }

  @Test
  void statusFieldsCarryTheCodeAndTheEncodedMessage() {
    HttpFields fields = GrpcStatus.fields(GrpcStatus.UNAVAILABLE, "down\n100%");

    assertThat(fields.get("grpc-status")).isEqualTo("14");
    assertThat(fields.get("grpc-message")).isEqualTo("down%0A100%25");
  }
}
