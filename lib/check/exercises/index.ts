/** Every lesson's exercises, registered with check() when convlab loads. */
import "./01-training-and-inference";
import "./02-data";
import "./03-inside-a-cnn";
import "./04-training-lenet";
import "./05-hyperparameters";
import "./06-overfitting";
import "./07-measuring-quality";
import "./08-improving-mnist";
import "./09-machine-vs-deep-learning";
import "./10-transfer-learning";
import "./11-from-classifying-to-finding";
import "./12-inference-engine";
import "./13-two-days-to-a-demo";
