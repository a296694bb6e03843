package shop.stock;

/** No stock could be held for a sku: what this service answers, with the reason as its cause. */
final class StockUnavailableException extends Exception {
    StockUnavailableException(int sku, Throwable cause) {
        super("no stock could be held for sku " + sku, cause);
    }
}
