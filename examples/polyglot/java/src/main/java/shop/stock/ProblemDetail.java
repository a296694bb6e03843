package shop.stock;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * RFC 9457 Problem Details as Spring Framework's `ProblemDetail` writes them
 * (`application/problem+json`): `type`, `title`, `status`, `detail` and `instance`, a member
 * that has no value left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ProblemDetail(String type, String title, int status, String detail, String instance) {}
